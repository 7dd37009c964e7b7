import type { StatsReport } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { CHART_SERIES, chartModel } from './stats-model';

const PLOT_TOP = 12;
const PLOT_HEIGHT = 160;
const LEFT = 44;
const BAR = 10;
const GROUP = CHART_SERIES.length * BAR + 12;
const HEIGHT = PLOT_TOP + PLOT_HEIGHT + 34;

/**
 * The live chats per week as grouped bars (started, turned away full, turned away closed). An
 * image with a title and a description for screen readers; the figures themselves are in the
 * table beside it. "< 3" is drawn as a dashed outline up to 2. Colours come from stats.css.
 */
export function StatsChart({ report }: { report: Pick<StatsReport, 'days'> }) {
  const { t } = useI18n();
  const s = t.stats;
  const model = chartModel(report);
  const width = LEFT + Math.max(1, model.weeks.length) * GROUP + 8;
  const y = (v: number) => PLOT_TOP + PLOT_HEIGHT - (v / model.max) * PLOT_HEIGHT;
  const labelEvery = Math.max(1, Math.ceil(model.weeks.length / 12));
  const empty = model.weeks.every((w) => w.bars.every((b) => b.value === 0));
  return (
    <figure class="stats-figure">
      <figcaption class="hint">{s.chartCaption}</figcaption>
      <ul class="stats-legend">
        {CHART_SERIES.map((series) => (
          <li key={series}>
            <span class={`stats-swatch s-${series}`} aria-hidden="true" />
            {s.columns[series]}
          </li>
        ))}
        <li>
          <span class="stats-swatch small" aria-hidden="true" />
          {s.smallBar}
        </li>
      </ul>
      <svg
        class="stats-chart"
        viewBox={`0 0 ${width} ${HEIGHT}`}
        role="img"
        aria-labelledby="stats-chart-title stats-chart-desc"
        data-weeks={model.weeks.length}
      >
        <title id="stats-chart-title">{s.chartHeading}</title>
        <desc id="stats-chart-desc">{empty ? s.chartEmpty : s.chartDesc(model.weeks.length)}</desc>
        <g aria-hidden="true">
          {model.ticks.map((tick) => (
            <g key={tick}>
              <line class="stats-grid" x1={LEFT} x2={width - 4} y1={y(tick)} y2={y(tick)} />
              <text class="stats-axis" x={LEFT - 6} y={y(tick) + 4} text-anchor="end">
                {tick}
              </text>
            </g>
          ))}
          {model.weeks.map((week, i) => {
            const x0 = LEFT + 6 + i * GROUP;
            return (
              <g key={week.date} data-week={week.date}>
                {week.bars.map((bar, j) => (
                  <rect
                    key={bar.series}
                    class={`stats-bar s-${bar.series}${bar.value === null ? ' small' : ''}`}
                    data-series={bar.series}
                    data-value={bar.value === null ? '< 3' : bar.value}
                    x={x0 + j * BAR}
                    y={y(bar.height)}
                    width={BAR - 1}
                    height={Math.max(0, y(0) - y(bar.height))}
                  />
                ))}
                {i % labelEvery === 0 && (
                  <text class="stats-axis" x={x0 + (CHART_SERIES.length * BAR) / 2} y={PLOT_TOP + PLOT_HEIGHT + 18} text-anchor="middle">
                    {s.shortDate(week.date)}
                  </text>
                )}
              </g>
            );
          })}
        </g>
      </svg>
    </figure>
  );
}
