// Which ECharts modules does `import 'gpuseg'` load? A module-resolution hook reports every
// module resolved under node_modules/echarts; the package's entry must load none (the report
// imports ECharts itself, when it renders), and importing echarts afterwards proves the hook sees it.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const seen = [];
port1.on('message', (url) => seen.push(url));
const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (/node_modules\\/echarts\\//.test(r.url)) port.postMessage(r.url);
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  data: { port: port2 },
  transferList: [port2],
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

await import('../../dist/src/index.js');
await settle();
const afterGpuseg = seen.length;
await import('echarts');
await settle();
process.stdout.write(JSON.stringify({ afterGpuseg, afterEcharts: seen.length }) + '\n');
port1.close();
