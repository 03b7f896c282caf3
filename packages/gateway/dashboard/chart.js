// A sparkline on a canvas: the last points of one series, scaled to its own maximum.

const POINTS = 60;
const MIN_SPAN = 20;

/** A small line chart; `push` adds a point and redraws. */
export function sparkline(width = 140, height = 32) {
  const canvas = document.createElement('canvas');
  const ratio = window.devicePixelRatio || 1;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.className = 'spark';
  const points = [];
  const ctx = canvas.getContext('2d');
  const draw = () => {
    const w = canvas.width;
    const h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    if (points.length < 2) return;
    const max = Math.max(1, ...points);
    // Few points stretch over the width; from MIN_SPAN on each keeps its place and the line scrolls.
    const step = w / Math.max(points.length - 1, MIN_SPAN);
    const x0 = w - (points.length - 1) * step;
    const y = (v) => h - 2 * ratio - (v / max) * (h - 4 * ratio);
    ctx.beginPath();
    ctx.moveTo(x0, y(points[0]));
    for (let i = 1; i < points.length; i++) ctx.lineTo(x0 + i * step, y(points[i]));
    ctx.strokeStyle = '#3b82f6';
    ctx.lineWidth = 1.5 * ratio;
    ctx.stroke();
    ctx.lineTo(w, h);
    ctx.lineTo(x0, h);
    ctx.closePath();
    ctx.fillStyle = 'rgba(59,130,246,0.12)';
    ctx.fill();
  };
  return {
    canvas,
    push(v) {
      points.push(v);
      if (points.length > POINTS) points.shift();
      draw();
    },
  };
}
