// The double opt-in page: the mail link carries center and token in the fragment (#…), which the
// browser never sends to a server or a log. It is posted once, then removed from the address bar.
const status = document.getElementById('status')!;
const params = new URLSearchParams(location.hash.slice(1));
const center = params.get('center');
const token = params.get('token');
history.replaceState(null, '', location.pathname);

function show(state: 'ok' | 'failed', text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

if (!center || !token) {
  show('failed', 'Dieser Link ist unvollständig. Bitte öffnen Sie den Link aus der E-Mail noch einmal.');
} else {
  fetch('/api/auth/confirm-email', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ center, token }) })
    .then((res) => {
      if (res.ok) show('ok', 'Danke! Ihre E-Mail-Adresse ist bestätigt. Sie erhalten Benachrichtigungen nur an diese Adresse.');
      else show('failed', 'Dieser Link ist ungültig oder wurde schon benutzt.');
    })
    .catch(() => show('failed', 'Die Verbindung ist fehlgeschlagen. Bitte versuchen Sie es später noch einmal.'));
}

export {};
