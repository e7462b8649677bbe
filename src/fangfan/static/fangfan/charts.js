// Trend charts: data comes from a <script type="application/json"> block next to the
// chart (json_script), so no inline script is needed and the CSP stays strict.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-trend]").forEach((el) => {
    const data = JSON.parse(document.getElementById(el.dataset.trend).textContent);
    const chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 16, bottom: 32 },
      xAxis: { type: "category", data: data.map((d) => d.day) },
      yAxis: { type: "value", min: 0, max: 100, name: el.dataset.label },
      series: [{ type: "line", data: data.map((d) => d.rate), smooth: true, areaStyle: {} }],
    });
    window.addEventListener("resize", () => chart.resize());
  });
});
