import { STATS_COLUMNS, type StatsCount, type StatsPeriod, type StatsReport } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';

type Column = Exclude<(typeof STATS_COLUMNS)[number], 'date'>;
const COLUMNS = STATS_COLUMNS.filter((c): c is Column => c !== 'date');

function cellValue(p: StatsPeriod, c: (typeof COLUMNS)[number]): StatsCount | { seconds: number | null } {
  switch (c) {
    case 'waitMedianSeconds':
    case 'waitP90Seconds':
    case 'durationMedianSeconds':
      return { seconds: p[c] };
    case 'appointmentsVideo':
      return p.appointments.video;
    case 'appointmentsChat':
      return p.appointments.chat;
    case 'appointmentsMail':
      return p.appointments.mail;
    case 'appointmentsPhone':
      return p.appointments.phone;
    default:
      return p[c];
  }
}

/** Every figure of the report, one row per day or week; scrolls sideways by keyboard too. */
export function StatsTable({ report }: { report: StatsReport }) {
  const { t } = useI18n();
  const s = t.stats;
  return (
    <div class="stats-table-wrap" role="region" aria-labelledby="stats-table-caption" tabIndex={0}>
      <table class="admin-table stats-table" data-periods={report.days.length}>
        <caption id="stats-table-caption">{s.tableCaption(report.by)}</caption>
        <thead>
          <tr>
            <th scope="col">{s.columns.date}</th>
            {COLUMNS.map((c) => (
              <th scope="col" key={c}>
                {s.columns[c]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.days.map((p) => (
            <tr key={p.date} data-date={p.date}>
              <th scope="row">{s.date(p.date)}</th>
              {COLUMNS.map((c) => {
                const v = cellValue(p, c);
                if (typeof v !== 'object')
                  return (
                    <td key={c} data-col={c}>
                      {v}
                    </td>
                  );
                return (
                  <td key={c} data-col={c}>
                    {v.seconds === null ? (
                      <>
                        <span aria-hidden="true">{s.none}</span>
                        <span class="sr-only">{s.noneLabel}</span>
                      </>
                    ) : (
                      s.upTo(v.seconds)
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
