// Sujuva dashboard: progressive enhancement only; every page works without this file.
"use strict";

function autosubmit() {
  document.querySelectorAll("[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form.submit());
  });
  document.querySelectorAll(".nojs").forEach((el) => { el.hidden = true; });
}

function mapControls() {
  const form = document.getElementById("map-controls");
  const img = document.getElementById("process-map");
  if (!form || !img) return;
  const redraw = () => {
    const params = new URLSearchParams(new FormData(form));
    form.querySelectorAll("input[type=range]").forEach((r) => {
      r.nextElementSibling.textContent = r.value + " %";
    });
    img.src = form.dataset.map + "?" + params.toString();
  };
  form.querySelectorAll("input").forEach((el) => el.addEventListener("change", redraw));
  form.querySelectorAll("input[type=range]").forEach((el) => el.addEventListener("input", () => {
    el.nextElementSibling.textContent = el.value + " %";
  }));
}

function charts() {
  if (typeof Plotly === "undefined") return;
  const layout = { margin: { l: 50, r: 10, t: 10, b: 40 }, height: 260,
    legend: { orientation: "h", y: -0.25 }, font: { size: 11 } };
  const config = { displaylogo: false, responsive: true };
  document.querySelectorAll(".chart").forEach((el) => {
    const data = JSON.parse(el.nextElementSibling.textContent);
    if (el.dataset.chart === "trend") {
      Plotly.newPlot(el, [
        { x: data.x, y: data.km, name: data.labels.km, mode: "lines+markers" },
        { x: data.x, y: data.naive, name: data.labels.naive, mode: "lines", line: { dash: "dot" } },
      ], layout, config);
    } else if (el.dataset.chart === "target") {
      const traces = [
        { x: data.months, y: data.trajectory, name: data.labels.trajectory, mode: "lines", line: { dash: "dot", color: "#888" } },
        { x: data.months, y: data.cumulative, name: data.labels.cumulative, mode: "lines+markers", line: { color: "#0b5cad" } },
      ];
      if (data.forecast) {
        traces.push({ x: data.forecast.months, y: data.forecast.high, mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" });
        traces.push({ x: data.forecast.months, y: data.forecast.low, mode: "lines", fill: "tonexty", line: { width: 0 },
          fillcolor: "rgba(11,92,173,0.15)", name: data.labels.forecast });
        traces.push({ x: data.forecast.months, y: data.forecast.expected, mode: "lines", line: { color: "#0b5cad", dash: "dash" }, showlegend: false });
      }
      Plotly.newPlot(el, traces, Object.assign({}, layout, { height: 320 }), config);
    } else if (el.dataset.chart === "groups") {
      const colours = { pilot: "31,119,180", comparison: "214,96,39" };
      const traces = [];
      Object.entries(data).forEach(([group, d]) => {
        const c = colours[group] || "90,90,90";
        traces.push({ x: d.x, y: d.upper, mode: "lines", line: { width: 0, shape: "hv" }, showlegend: false, hoverinfo: "skip" });
        traces.push({ x: d.x, y: d.lower, mode: "lines", fill: "tonexty", line: { width: 0, shape: "hv" },
          fillcolor: "rgba(" + c + ",0.18)", showlegend: false, hoverinfo: "skip" });
        traces.push({ x: d.x, y: d.y, name: d.name, mode: "lines", line: { shape: "hv", color: "rgb(" + c + ")" } });
      });
      Plotly.newPlot(el, traces, Object.assign({}, layout, { height: 340, yaxis: { range: [0, 1], tickformat: ".0%" } }), config);
    } else if (el.dataset.chart === "survival") {
      Plotly.newPlot(el, [
        { x: data.x, y: data.upper, mode: "lines", line: { width: 0, shape: "hv" }, showlegend: false, hoverinfo: "skip" },
        { x: data.x, y: data.lower, mode: "lines", fill: "tonexty", line: { width: 0, shape: "hv" },
          fillcolor: "rgba(31,119,180,0.2)", showlegend: false, hoverinfo: "skip" },
        { x: data.x, y: data.y, name: data.name, mode: "lines", line: { shape: "hv" } },
      ], Object.assign({}, layout, { yaxis: { range: [0, 1], tickformat: ".0%" } }), config);
    }
  });
}

function jobProgress() {
  const el = document.querySelector("[data-job-progress]");
  if (!el) return;
  const poll = async () => {
    const response = await fetch(el.dataset.jobProgress, { credentials: "same-origin" });
    const job = await response.json();
    el.querySelector(".step").textContent = job.progress_step || job.status;
    el.querySelector(".rows").textContent = job.progress_rows;
    if (job.status === "done" || job.status === "failed") { window.location.reload(); return; }
    setTimeout(poll, 700);
  };
  setTimeout(poll, 500);
}

function liveCount() {
  const form = document.getElementById("pilot-form");
  const out = document.getElementById("live-count");
  if (!form || !out) return;
  let timer = null;
  const update = async () => {
    const params = new URLSearchParams(new FormData(form));
    params.delete("csrf_token");
    const response = await fetch(form.dataset.count + "?" + params.toString(), { credentials: "same-origin" });
    const body = await response.json();
    if (!response.ok) { out.textContent = body.error ? body.error.message : response.statusText; return; }
    out.textContent = body.summary;
  };
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 400); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(update, 100); });
}

document.addEventListener("DOMContentLoaded", () => {
  autosubmit(); mapControls(); charts(); jobProgress(); liveCount();
});
