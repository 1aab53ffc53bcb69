import { useLocale } from '../../hooks/useLocale';

// The builder cannot create flows yet (that is the editor's job), so it says how to today.
const CREATE_EXAMPLE = `curl -X PUT http://127.0.0.1:3000/api/flows/vip-welcome \\
  -H 'content-type: application/json' \\
  --data @engine/examples/vip-welcome.json`;

export function NoFlows() {
  const { t } = useLocale();
  return (
    <section className="pane-message no-flows">
      <h2>{t.noFlows}</h2>
      <p>{t.noFlowsHow}</p>
      <pre>{CREATE_EXAMPLE}</pre>
      <p className="muted">{t.noFlowsCheck}</p>
      <pre>npx sopflow validate engine/examples/vip-welcome.json</pre>
    </section>
  );
}
