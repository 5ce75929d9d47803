"""Tests of sujuva.impact: regional-economy effect, input–output model, jobs target."""
