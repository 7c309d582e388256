import type { FC } from 'hono/jsx';
import type { OpenAPIV3_1 } from 'openapi-types';
import { DEMO_ORIGIN } from '../demo/articles';

type Operation = OpenAPIV3_1.OperationObject;
type Parameter = OpenAPIV3_1.ParameterObject;
type Schema = OpenAPIV3_1.SchemaObject;

const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;

/** Tags in the order a publisher needs them: what pages call (no token) first, then what the newsroom uses. */
const TAG_ORDER = ['Recording', 'Reading', 'Embedding', 'Demo', 'Operating', 'Admin', 'Dashboard'];
const tagRank = (tag: string) => {
  const rank = TAG_ORDER.indexOf(tag);
  return rank === -1 ? TAG_ORDER.length : rank;
};

/**
 * Values that work against a fresh `npm run dev` (the seeded demo site and its
 * front page), filled into the "Try it" forms, by parameter name.
 */
const EXAMPLE_VALUES: Record<string, string> = {
  site: 'demo',
  url: `${DEMO_ORIGIN}/demo`,
  title: 'Harbour ferry goes electric after 71 years of diesel',
  network: 'x',
  slug: 'night-market',
  section: 'City',
  lang: 'en',
};

/** Request bodies that work against a fresh `npm run dev`, by operation. */
const EXAMPLE_BODIES: Record<string, unknown> = {
  'POST /api/v1/events': [{ site: 'demo', type: 'view', url: `${DEMO_ORIGIN}/demo` }],
  'POST /api/v1/admin/sites': { id: 'riverside', name: 'Riverside Post', hosts: ['riverside.example'] },
  'PATCH /api/v1/admin/sites/{site}': { name: 'The Eastbank Ledger (renamed)' },
};

/** An operation's anchor on the page, e.g. `get-api-v1-sites-site-popular`. */
const anchorOf = (method: string, path: string) =>
  `${method}-${path}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const enumOf = (schema: Schema | undefined): string[] | undefined =>
  Array.isArray(schema?.enum) ? schema.enum.map(String) : undefined;

/** A parameter's example: its own, else ours for its name, else its default. */
const exampleOf = (p: Parameter): string | undefined => {
  const schema = p.schema as Schema | undefined;
  const own = p.example ?? schema?.examples?.[0];
  if (own !== undefined) return String(own);
  if (p.name in EXAMPLE_VALUES && !enumOf(schema)) return EXAMPLE_VALUES[p.name];
  return schema?.default === undefined ? undefined : String(schema.default);
};

/** What a parameter takes, in words: its choices, its bounds, its pattern. */
const Takes: FC<{ schema: Schema | undefined }> = ({ schema }) => {
  const choices = enumOf(schema);
  if (choices)
    return (
      <>
        one of{' '}
        {choices.map((choice, i) => (
          <>
            {i > 0 ? ', ' : ''}
            <code>{choice}</code>
          </>
        ))}
      </>
    );
  if (!schema) return <>any value</>;
  const bounds = [
    schema.minimum !== undefined ? `from ${schema.minimum}` : '',
    schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? `to ${schema.maximum}` : '',
    schema.maxLength !== undefined ? `up to ${schema.maxLength} characters` : '',
  ].filter(Boolean);
  const kind = schema.anyOf ? 'a string, repeatable' : String(schema.type ?? 'any value');
  return (
    <>
      {kind}
      {bounds.length > 0 ? `, ${bounds.join(' ')}` : ''}
      {schema.pattern ? (
        <>
          , matching <code>{schema.pattern}</code>
        </>
      ) : null}
    </>
  );
};

const STYLE = `
  :root { color-scheme: light dark; --ink: #1c1c21; --paper: #fcfcfd; --muted: #5e5e69; --rule: #e2e2e8; --accent: #2457c5; --code: #f1f1f5; }
  @media (prefers-color-scheme: dark) { :root { --ink: #ececf1; --paper: #16161a; --muted: #a2a2ad; --rule: #303038; --accent: #8fb0ff; --code: #222228; } }
  body { margin: 0; background: var(--paper); color: var(--ink); font: 15px/1.55 system-ui, sans-serif; }
  main { max-width: 60rem; margin: 0 auto; padding: 2rem 1rem 4rem; }
  h1 { margin: 0 0 .3rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid var(--rule); padding-bottom: .3rem; }
  section { border: 1px solid var(--rule); border-radius: 8px; padding: .8rem 1rem; margin: 1rem 0; }
  h3 { margin: 0 0 .4rem; font-size: 1rem; } .method { display: inline-block; min-width: 4rem; font: 700 .8rem ui-monospace, monospace; color: var(--accent); }
  code, pre, output, textarea, input { font: .85rem ui-monospace, SFMono-Regular, monospace; }
  pre, output { display: block; background: var(--code); padding: .6rem; border-radius: 6px; overflow: auto; white-space: pre-wrap; }
  table { border-collapse: collapse; width: 100%; margin: .4rem 0; } td, th { text-align: left; padding: .25rem .5rem; border-top: 1px solid var(--rule); vertical-align: top; }
  .muted { color: var(--muted); } label { display: block; margin: .3rem 0; } input, textarea { width: 100%; box-sizing: border-box; padding: .3rem; border: 1px solid var(--rule); border-radius: 4px; background: var(--paper); color: var(--ink); }
  button { margin: .4rem 0; padding: .35rem .9rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: var(--paper); cursor: pointer; }
  details { margin: .4rem 0; }
  nav.toc { columns: 2 18rem; font-size: .9rem; } nav.toc h2 { column-span: all; }
  nav.toc ul { margin: 0 0 .6rem; padding-left: 1rem; break-inside: avoid; } nav.toc li { list-style: none; }
  select { font: inherit; padding: .25rem; border: 1px solid var(--rule); border-radius: 4px; background: var(--paper); color: var(--ink); }
`;

const schemaText = (schema: unknown) => JSON.stringify(schema, null, 2);

const ParameterRows: FC<{ parameters: Parameter[] }> = ({ parameters }) => (
  <table>
    <tr>
      <th>Parameter</th>
      <th>In</th>
      <th>Takes</th>
      <th>Default</th>
      <th>Example</th>
    </tr>
    {parameters.map((p) => {
      const schema = p.schema as Schema | undefined;
      const example = exampleOf(p);
      return (
        <tr>
          <td>
            <code>{p.name}</code>
            {p.required ? ' (required)' : ''}
          </td>
          <td>{p.in}</td>
          <td>
            <Takes schema={schema} />
          </td>
          <td>{schema?.default === undefined ? '' : <code>{String(schema.default)}</code>}</td>
          <td>{example === undefined ? '' : <code>{example}</code>}</td>
        </tr>
      );
    })}
  </table>
);

/** A "Try it" control: a choice among an enum's values (none chosen for an optional one), else a filled-in field. */
const TryItControl: FC<{ parameter: Parameter }> = ({ parameter: p }) => {
  const schema = p.schema as Schema | undefined;
  const choices = enumOf(schema);
  const where = p.in === 'query' ? 'query' : 'path';
  if (choices) {
    const chosen = schema?.default === undefined ? undefined : String(schema.default);
    return (
      <select name={p.name} data-in={where} required={p.in === 'path'}>
        {p.in === 'query' && <option value="">(not given)</option>}
        {choices.map((choice) => (
          <option value={choice} selected={choice === chosen}>
            {choice}
          </option>
        ))}
      </select>
    );
  }
  const value = exampleOf(p) ?? '';
  return p.in === 'query' ? (
    <textarea name={p.name} data-in="query" rows={1}>
      {value}
    </textarea>
  ) : (
    <input name={p.name} data-in="path" value={value} required />
  );
};

const TryIt: FC<{ method: string; path: string; operation: Operation }> = ({ method, path, operation }) => {
  const parameters = (operation.parameters ?? []) as Parameter[];
  const secured = (operation.security ?? []).length > 0;
  const body = EXAMPLE_BODIES[`${method.toUpperCase()} ${path}`];
  return (
    <form data-try data-method={method.toUpperCase()} data-path={path}>
      {parameters
        .filter((p) => p.in === 'path' || p.in === 'query')
        .map((p) => (
          // biome-ignore lint/a11y/noLabelWithoutControl: TryItControl renders the control
          <label>
            {p.name}{' '}
            <span class="muted">
              ({p.in}
              {p.in === 'query' && !enumOf(p.schema as Schema | undefined) ? '; one value per line to repeat' : ''})
            </span>
            <TryItControl parameter={p} />
          </label>
        ))}
      {secured && (
        <label>
          Admin token <input name="token" data-in="token" type="password" autocomplete="off" />
        </label>
      )}
      {operation.requestBody && (
        <label>
          Body (JSON){' '}
          <textarea name="body" data-in="body" rows={4}>
            {body === undefined ? '' : JSON.stringify(body, null, 2)}
          </textarea>
        </label>
      )}
      <button type="submit">Try it</button>
      <output aria-live="polite" />
    </form>
  );
};

/**
 * The API reference at /docs, rendered from the OpenAPI document itself (so it
 * can never disagree with it): a table of contents, the public endpoints first,
 * each parameter's choices, and a "Try it" form per operation filled in with
 * values that work on a freshly seeded `npm run dev`.
 */
export const DocsPage: FC<{ spec: OpenAPIV3_1.Document; nonce: string; scriptPath: string }> = ({
  spec,
  nonce,
  scriptPath,
}) => {
  const operations = Object.entries(spec.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item?.[m]).map((method) => ({ path, method, operation: item![method]! })),
  );
  const tags = [...new Set(operations.map((o) => o.operation.tags?.[0] ?? 'Other'))].sort(
    (a, b) => tagRank(a) - tagRank(b),
  );
  const operationsOf = (tag: string) => operations.filter((o) => (o.operation.tags?.[0] ?? 'Other') === tag);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${spec.info.title} reference`}</title>
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: STYLE }} />
        <script src={scriptPath} defer />
      </head>
      <body>
        <main>
          <h1>{spec.info.title}</h1>
          <p class="muted">
            Version {spec.info.version}. {spec.info.description} The machine-readable document is at{' '}
            <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>. The forms are filled in for the seeded{' '}
            <code>demo</code> site of <code>npm run dev</code>.
          </p>
          <nav class="toc" aria-labelledby="toc-heading">
            <h2 id="toc-heading">Contents</h2>
            {tags.map((tag) => (
              <ul>
                <li>
                  <a href={`#${tag.toLowerCase()}`}>
                    <strong>{tag}</strong>
                  </a>
                  <ul>
                    {operationsOf(tag).map(({ path, method, operation }) => (
                      <li>
                        <a href={`#${anchorOf(method, path)}`}>
                          <span class="method">{method.toUpperCase()}</span> {path}
                        </a>{' '}
                        <span class="muted">{operation.summary}</span>
                      </li>
                    ))}
                  </ul>
                </li>
              </ul>
            ))}
            {spec.components?.schemas && (
              <ul>
                <li>
                  <a href="#schemas">
                    <strong>Schemas</strong>
                  </a>
                </li>
              </ul>
            )}
          </nav>
          {tags.map((tag) => (
            <>
              <h2 id={tag.toLowerCase()}>{tag}</h2>
              {operationsOf(tag).map(({ path, method, operation }) => (
                <section id={anchorOf(method, path)}>
                  <h3>
                    <span class="method">{method.toUpperCase()}</span> <code>{path}</code>
                  </h3>
                  <p>{operation.summary}</p>
                  {operation.description && <p class="muted">{operation.description}</p>}
                  {(operation.parameters ?? []).length > 0 && (
                    <ParameterRows parameters={operation.parameters as Parameter[]} />
                  )}
                  {operation.requestBody && (
                    <details>
                      <summary>Request body</summary>
                      <pre>{schemaText((operation.requestBody as OpenAPIV3_1.RequestBodyObject).content)}</pre>
                    </details>
                  )}
                  <details>
                    <summary>Responses: {Object.keys(operation.responses ?? {}).join(', ')}</summary>
                    <table>
                      {Object.entries(operation.responses ?? {}).map(([status, response]) => (
                        <tr>
                          <td>
                            <code>{status}</code>
                          </td>
                          <td>{(response as OpenAPIV3_1.ResponseObject).description}</td>
                        </tr>
                      ))}
                    </table>
                  </details>
                  <TryIt method={method} path={path} operation={operation} />
                </section>
              ))}
            </>
          ))}
          {spec.components?.schemas && (
            <>
              <h2 id="schemas">Schemas</h2>
              {Object.entries(spec.components.schemas).map(([name, schema]) => (
                <details id={`schema-${name}`}>
                  <summary>
                    <code>{name}</code>
                  </summary>
                  <pre>{schemaText(schema)}</pre>
                </details>
              ))}
            </>
          )}
        </main>
      </body>
    </html>
  );
};
