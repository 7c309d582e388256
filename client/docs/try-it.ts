// "Try it" on /docs: each operation's form sends its request to this Worker and
// shows the answer. Path parameters fill the `{name}` holes of data-path; the
// rest go to the query string, the Authorization header or the body.

function requestOf(form: HTMLFormElement): { url: string; init: RequestInit } {
  let path = form.dataset.path ?? '/';
  const query = new URLSearchParams();
  const headers = new Headers();
  let body: string | undefined;
  for (const field of Array.from(form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('[data-in]'))) {
    const value = field.value;
    if (value === '') continue;
    switch (field.dataset.in) {
      case 'path':
        path = path.replace(`{${field.name}}`, encodeURIComponent(value));
        break;
      case 'query':
        for (const part of value.split('\n')) if (part !== '') query.append(field.name, part);
        break;
      case 'token':
        headers.set('Authorization', `Bearer ${value}`);
        break;
      case 'body':
        body = value;
        headers.set('Content-Type', 'application/json');
        break;
    }
  }
  const search = query.toString();
  return {
    url: search ? `${path}?${search}` : path,
    init: { method: form.dataset.method ?? 'GET', headers, body, redirect: 'manual' },
  };
}

async function show(output: HTMLElement, response: Response): Promise<void> {
  const text = await response.text();
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: shown as it came.
  }
  const location = response.headers.get('Location');
  output.textContent = `${response.status} ${response.statusText}${location ? `\nLocation: ${location}` : ''}\n\n${shown}`;
}

for (const form of Array.from(document.querySelectorAll<HTMLFormElement>('form[data-try]'))) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const output = form.querySelector<HTMLElement>('output');
    if (!output) return;
    const { url, init } = requestOf(form);
    output.textContent = `${init.method} ${url} …`;
    fetch(url, init).then(
      (response) => show(output, response),
      (error: unknown) => {
        output.textContent = `Request failed: ${String(error)}`;
      },
    );
  });
}
