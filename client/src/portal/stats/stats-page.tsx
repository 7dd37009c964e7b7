import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { StatsGrouping, StatsReport } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { errorText, Field, StatusLine } from '../form-parts';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import '../pages/admin.css';
import { StatsChart } from './stats-chart';
import { defaultRange, RangeProblem, rangeProblem, StatsRange, statsQuery, todayIn } from './stats-model';
import { StatsTable } from './stats-table';
import './stats.css';

/**
 * `/c/:center/app/stats` (admins): the live chats per week as a bar chart, every figure in a
 * table (per week or per day), a period to choose and the same figures as a CSV download (fetched
 * with the token, handed to the browser as a file: no token in an address).
 */
export function StatsPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const s = t.stats;
  const portal = useStore(session);
  const timeZone = portal.info?.timeZone ?? 'Europe/Berlin';
  const [range, setRange] = useState<StatsRange>(() => defaultRange(todayIn(timeZone)));
  const [by, setBy] = useState<StatsGrouping>('week');
  const [weekly, setWeekly] = useState<StatsReport | null>(null);
  const [table, setTable] = useState<StatsReport | null>(null);
  const [problem, setProblem] = useState<RangeProblem | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const base = `/api/centers/${encodeURIComponent(center)}`;
  /** The period last asked for (shown again after a change of language). */
  const shown = useRef({ range, by });

  const load = useCallback(
    async (r: StatsRange, grouping: StatsGrouping) => {
      const p = rangeProblem(r);
      setProblem(p);
      if (p) {
        setStatus('');
        return;
      }
      shown.current = { range: r, by: grouping };
      setBusy(true);
      setError('');
      setStatus(s.loading);
      try {
        const weeks = await session.call<StatsReport>(`${base}/stats?${statsQuery(r, 'week')}`);
        const rows = grouping === 'week' ? weeks : await session.call<StatsReport>(`${base}/stats?${statsQuery(r, grouping)}`);
        setWeekly(weeks);
        setTable(rows);
        setStatus(s.loaded(s.date(weeks.from), s.date(weeks.to)));
      } catch (err) {
        setStatus('');
        setError(`${s.loadFailed} ${errorText(t, err)}`);
      } finally {
        setBusy(false);
      }
    },
    [session, base, s, t],
  );

  // the first load (and again in another language); later ones on "Show"
  useEffect(() => void load(shown.current.range, shown.current.by), [load]);

  const download = async () => {
    const p = rangeProblem(range);
    setProblem(p);
    if (p) {
      setStatus('');
      return;
    }
    setError('');
    try {
      const blob = await session.download(`${base}/stats.csv?${statsQuery(range, by)}`);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `lotse-stats-${range.from}-${range.to}${by === 'week' ? '-weeks' : ''}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setStatus(s.downloaded);
    } catch (err) {
      setError(`${s.downloadFailed} ${errorText(t, err)}`);
    }
  };

  const fieldError = (field: 'from' | 'to') =>
    problem === field || (field === 'to' && (problem === 'order' || problem === 'long')) ? s.problems[problem] : undefined;

  return (
    <Layout session={session} title={s.title}>
      <p>{s.intro}</p>
      <form
        class="stats-controls"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void load(range, by);
        }}
      >
        <fieldset>
          <legend>{s.range}</legend>
          <Field id="stats-from" label={s.from} error={fieldError('from')}>
            {(a11y) => <input {...a11y} name="from" type="date" value={range.from} onInput={(e) => setRange({ ...range, from: e.currentTarget.value })} />}
          </Field>
          <Field id="stats-to" label={s.to} error={fieldError('to')}>
            {(a11y) => <input {...a11y} name="to" type="date" value={range.to} onInput={(e) => setRange({ ...range, to: e.currentTarget.value })} />}
          </Field>
          <Field id="stats-by" label={s.by}>
            {(a11y) => (
              <select {...a11y} name="by" value={by} onChange={(e) => setBy(e.currentTarget.value === 'day' ? 'day' : 'week')}>
                <option value="week">{s.byWeek}</option>
                <option value="day">{s.byDay}</option>
              </select>
            )}
          </Field>
        </fieldset>
        <div class="admin-actions">
          <button type="submit" disabled={busy}>
            {s.show}
          </button>
          <button type="button" class="secondary" onClick={() => void download()}>
            {s.download}
          </button>
        </div>
      </form>
      <StatusLine text={status} error={error} />
      {weekly && (
        <section aria-labelledby="stats-chart-heading" class="stats-section">
          <h2 id="stats-chart-heading">{s.chartHeading}</h2>
          <StatsChart report={weekly} />
        </section>
      )}
      {table && (
        <section aria-labelledby="stats-table-heading" class="stats-section">
          <h2 id="stats-table-heading">{s.tableHeading}</h2>
          <StatsTable report={table} />
          <p class="hint">{s.note}</p>
        </section>
      )}
    </Layout>
  );
}
