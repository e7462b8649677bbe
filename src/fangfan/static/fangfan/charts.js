// Trend charts: data comes from a <script type="application/json"> block next to the
// chart (json_script), so no inline script is needed and the CSP stays strict.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-trend]").forEach((el) => {
    const data = JSON.parse(document.getElementById(el.dataset.trend).textContent);
    const chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      // Room above the plot for the axis caption, which is drawn above the y axis and
      // was cut off; containLabel keeps the tick labels inside the box at any width.
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.map((d) => d.day) },
      yAxis: { type: "value", min: 0, max: 100, name: el.dataset.label, nameGap: 16,
               nameTextStyle: { align: "left" } },
      series: [{ type: "line", data: data.map((d) => d.rate), smooth: true, areaStyle: {} }],
    });
    window.addEventListener("resize", () => chart.resize());
  });
});
