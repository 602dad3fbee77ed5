// A stacked bar chart drawn on a canvas, sized for the device pixel ratio. Small enough that a
// chart library is not worth its weight.

export interface Series {
  label: string;
  color: string;
  // One value per bucket, in the order of the labels.
  values: number[];
}

const kHeight = 260;
const kMargin = { top: 12, right: 12, bottom: 36, left: 44 };

// Returns a step of 1, 2 or 5 times a power of ten that splits `max` into at most `count`
// intervals.
function tickStep(max: number, count: number): number {
  const raw = Math.max(max / count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= raw) return factor * power;
  }
  return 10 * power;
}

export function drawStackedBars(
  canvas: HTMLCanvasElement,
  labels: string[],
  series: Series[],
): void {
  const width = Math.max(canvas.parentElement?.clientWidth ?? 640, 320);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(kHeight * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${kHeight}px`;
  const context = canvas.getContext("2d");
  if (!context) return;
  context.scale(ratio, ratio);
  context.clearRect(0, 0, width, kHeight);

  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const step = tickStep(Math.max(...totals, 1), 5);
  const top = Math.max(step, Math.ceil(Math.max(...totals, 1) / step) * step);
  const plotWidth = width - kMargin.left - kMargin.right;
  const plotHeight = kHeight - kMargin.top - kMargin.bottom;
  const y = (value: number) => kMargin.top + plotHeight - (value / top) * plotHeight;

  const style = getComputedStyle(canvas);
  context.font = `12px ${style.fontFamily || "sans-serif"}`;
  context.fillStyle = style.color || "#333";
  context.strokeStyle = "rgba(128, 128, 128, 0.3)";
  context.lineWidth = 1;
  context.textAlign = "right";
  context.textBaseline = "middle";
  for (let value = 0; value <= top; value += step) {
    context.beginPath();
    context.moveTo(kMargin.left, Math.round(y(value)) + 0.5);
    context.lineTo(width - kMargin.right, Math.round(y(value)) + 0.5);
    context.stroke();
    context.fillText(String(value), kMargin.left - 6, y(value));
  }

  const slot = plotWidth / Math.max(labels.length, 1);
  const barWidth = Math.max(2, slot * 0.7);
  // Label every bucket when they fit, else every second, third, ... one.
  const labelEvery = Math.ceil(labels.length / Math.max(1, Math.floor(plotWidth / 36)));
  context.textAlign = "center";
  context.textBaseline = "top";
  labels.forEach((label, i) => {
    const left = kMargin.left + i * slot + (slot - barWidth) / 2;
    let base = 0;
    for (const s of series) {
      const value = s.values[i] ?? 0;
      if (value > 0) {
        context.fillStyle = s.color;
        context.fillRect(left, y(base + value), barWidth, y(base) - y(base + value));
      }
      base += value;
    }
    if (i % labelEvery === 0) {
      context.fillStyle = style.color || "#333";
      context.fillText(label, left + barWidth / 2, kHeight - kMargin.bottom + 6);
    }
  });
}

// Returns a chart's canvas in its container. The canvas takes the width of its container,
// which is known once the page is in the document, so an observer draws then and again
// whenever the width changes.
export function stackedBarChart(
  labels: string[],
  series: Series[],
  props: { testid: string; label: string; total: number },
): HTMLElement {
  const canvas = document.createElement("canvas");
  canvas.className = "chart";
  canvas.setAttribute("role", "img");
  canvas.dataset.testid = props.testid;
  canvas.dataset.total = String(props.total);
  canvas.setAttribute("aria-label", props.label);
  const wrap = document.createElement("div");
  wrap.className = "chart-wrap";
  wrap.appendChild(canvas);
  let drawnWidth = 0;
  new ResizeObserver(() => {
    if (wrap.clientWidth === 0 || wrap.clientWidth === drawnWidth) return;
    drawnWidth = wrap.clientWidth;
    drawStackedBars(canvas, labels, series);
  }).observe(wrap);
  return wrap;
}
