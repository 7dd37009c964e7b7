import { useEffect, useState } from 'preact/hooks';
import type { TeamMemberView } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { useStore } from '../../lib/store';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import '../team/team.css';

/** `/c/:center/team` (public): the counselors who chose to appear, with their words and pictures. */
export function TeamPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const p = t.team.page;
  const info = useStore(session).info;
  // undefined: loading; null: could not be read
  const [members, setMembers] = useState<TeamMemberView[] | null | undefined>(undefined);
  useEffect(() => {
    let gone = false;
    api<TeamMemberView[]>(`/api/centers/${encodeURIComponent(center)}/team`).then(
      (list) => !gone && setMembers(list),
      () => !gone && setMembers(null),
    );
    return () => {
      gone = true;
    };
  }, [center]);
  return (
    <Layout session={session} title={p.title(info?.name ?? center)}>
      <p class="intro">{p.intro}</p>
      <div aria-live="polite" aria-busy={members === undefined}>
        {members === undefined ? (
          <p>{t.common.loading}</p>
        ) : members === null ? (
          <p class="error" role="alert">
            {p.loadError}
          </p>
        ) : members.length === 0 ? (
          <p>{p.empty}</p>
        ) : (
          <ul class="team-list">
            {members.map((m) => (
              <li key={m.id} class="team-member" data-member={m.id}>
                {m.pictureUrl ? (
                  <img class="team-photo" src={m.pictureUrl} alt={p.pictureAlt(m.displayName)} width={512} height={512} loading="lazy" />
                ) : (
                  <span class="team-photo-placeholder" aria-hidden="true">
                    {[...m.displayName][0]?.toUpperCase() ?? ''}
                  </span>
                )}
                <h2 dir="auto">{m.displayName}</h2>
                {m.text && <p dir="auto">{m.text}</p>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <p>
        <a href={`/c/${encodeURIComponent(center)}`}>{p.back}</a>
      </p>
    </Layout>
  );
}
