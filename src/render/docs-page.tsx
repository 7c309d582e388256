import type { FC } from 'hono/jsx';
import type { OpenAPIV3_1 } from 'openapi-types';

type Operation = OpenAPIV3_1.OperationObject;
type Parameter = OpenAPIV3_1.ParameterObject;

const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;

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
`;

const schemaText = (schema: unknown) => JSON.stringify(schema, null, 2);

const ParameterRows: FC<{ parameters: Parameter[] }> = ({ parameters }) => (
  <table>
    <tr>
      <th>Parameter</th>
      <th>In</th>
      <th>Schema</th>
    </tr>
    {parameters.map((p) => (
      <tr>
        <td>
          <code>{p.name}</code>
          {p.required ? ' (required)' : ''}
        </td>
        <td>{p.in}</td>
        <td>
          <code>{JSON.stringify(p.schema ?? {})}</code>
        </td>
      </tr>
    ))}
  </table>
);

const TryIt: FC<{ method: string; path: string; operation: Operation }> = ({ method, path, operation }) => {
  const parameters = (operation.parameters ?? []) as Parameter[];
  const secured = (operation.security ?? []).length > 0;
  return (
    <form data-try data-method={method.toUpperCase()} data-path={path}>
      {parameters
        .filter((p) => p.in === 'path' || p.in === 'query')
        .map((p) => (
          // biome-ignore lint/a11y/noLabelWithoutControl: the control is one of the two branches below
          <label>
            {p.name}{' '}
            <span class="muted">
              ({p.in}
              {p.in === 'query' ? '; one value per line to repeat' : ''})
            </span>
            {p.in === 'query' ? (
              <textarea name={p.name} data-in="query" rows={1} />
            ) : (
              <input name={p.name} data-in="path" required />
            )}
          </label>
        ))}
      {secured && (
        <label>
          Admin token <input name="token" data-in="token" type="password" autocomplete="off" />
        </label>
      )}
      {operation.requestBody && (
        <label>
          Body (JSON) <textarea name="body" data-in="body" rows={4} />
        </label>
      )}
      <button type="submit">Try it</button>
      <output aria-live="polite" />
    </form>
  );
};

/**
 * The API reference at /docs, rendered from the OpenAPI document itself (so it
 * can never disagree with it), with a "Try it" form per operation.
 */
export const DocsPage: FC<{ spec: OpenAPIV3_1.Document; nonce: string; scriptPath: string }> = ({
  spec,
  nonce,
  scriptPath,
}) => {
  const operations = Object.entries(spec.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item?.[m]).map((method) => ({ path, method, operation: item![method]! })),
  );
  const tags = [...new Set(operations.map((o) => o.operation.tags?.[0] ?? 'Other'))];
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
            <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
          </p>
          {tags.map((tag) => (
            <>
              <h2 id={tag.toLowerCase()}>{tag}</h2>
              {operations
                .filter((o) => (o.operation.tags?.[0] ?? 'Other') === tag)
                .map(({ path, method, operation }) => (
                  <section id={operation.operationId}>
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
