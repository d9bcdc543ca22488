import { useEffect, useState } from 'preact/hooks';
import { api, session, type Principal } from './api.ts';
import { useRoute } from './router.ts';
import { Login } from './pages/login.tsx';
import { Queue } from './pages/queue.tsx';
import { IncidentPage } from './pages/incident.tsx';
import { SearchPage } from './pages/search.tsx';
import { AlertsPage } from './pages/alerts.tsx';
import { ChangesPage } from './pages/changes.tsx';
import { DetectionPage } from './pages/detection.tsx';
import { DashboardsPage } from './pages/dashboards.tsx';

const NAV: Array<[string, string]> = [
  ['/queue', 'Queue'],
  ['/search', 'Search'],
  ['/alerts', 'Alerts and noise'],
  ['/changes', 'Changes'],
  ['/detection', 'Detection'],
  ['/dashboards', 'Dashboards'],
];

export function App() {
  const [me, setMe] = useState<Principal | null>(null);
  const [checked, setChecked] = useState(false);
  const route = useRoute();

  useEffect(() => {
    const token = session.token();
    if (!token) return setChecked(true);
    api
      .whoami()
      .then(setMe)
      .catch(() => session.clear())
      .finally(() => setChecked(true));
    const onUnauthorized = () => {
      session.clear();
      setMe(null);
    };
    window.addEventListener('vigil:unauthorized', onUnauthorized);
    return () => window.removeEventListener('vigil:unauthorized', onUnauthorized);
  }, []);

  if (!checked) return <p class="loading">Loading…</p>;
  if (!me) return <Login onLogin={setMe} />;

  const section = `/${route.path.split('/')[1] ?? ''}`;
  let page;
  if (route.path.startsWith('/incidents/')) page = <IncidentPage id={decodeURIComponent(route.path.slice('/incidents/'.length))} me={me} />;
  else if (section === '/search') page = <SearchPage params={route.params} />;
  else if (section === '/alerts') page = <AlertsPage me={me} params={route.params} />;
  else if (section === '/changes') page = <ChangesPage me={me} path={route.path} params={route.params} />;
  else if (section === '/detection') page = <DetectionPage />;
  else if (section === '/dashboards') page = <DashboardsPage />;
  else page = <Queue me={me} params={route.params} />;

  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Vigil</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([path, label]) => (
              <li key={path}>
                <a href={`#${path}`} aria-current={section === path || (path === '/queue' && section === '/incidents') ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who" aria-label="Signed in as">
          {me.name} ({me.role})
        </span>
        <button
          type="button"
          class="link"
          onClick={() => {
            session.clear();
            setMe(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </div>
  );
}
