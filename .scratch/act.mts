import { launchBrowser, serveDist, type Mode } from '../scripts/browser.ts';
const mode = (process.argv[2] ?? 'cpu') as Mode;
const server = await serveDist('/work/wt-act/dist');
const browser = await launchBrowser(mode);
const page = await browser.newPage();
await page.setViewport({ width: 1280, height: 720 });
const errors: string[] = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
await page.goto(server.url + (mode === 'cpu' ? '?backend=cpu' : ''));
await page.waitForFunction('document.body.dataset.ready === "true"', { timeout: 90000 });
for (const act of ['linear', 'leaky-relu', 'sigmoid']) {
  const s = await page.evaluate(`window.sandbox.setState({ activation: '${act}' }).then(s => ({ a: s.activation, na: s.network.activation, n: s.network.a.length }))`);
  const f = await page.evaluate(`document.body.innerText.match(/f\\(x\\) = c \\+[^\\n]*/)?.[0]`);
  console.log(act, JSON.stringify(s), f, 'hash has act:', await page.evaluate('location.hash.includes("act=")'));
  await page.screenshot({ path: `/tmp/wt-act-shots/1d-${act}-${mode}.png` });
}
await page.evaluate(`window.sandbox.setState({ activation: 'sigmoid', build: 'least-squares', units: 24 })`);
await page.screenshot({ path: `/tmp/wt-act-shots/1d-sigmoid-ls-${mode}.png` });
await page.evaluate(`window.sandbox.train(20)`);
console.log('after train:', await page.evaluate(`JSON.stringify({a: window.sandbox.getState().network.activation, b: window.sandbox.getState().build})`));
await page.evaluate(`window.sandbox.setState({ mode: '2d' })`);
for (const act of ['sigmoid', 'linear', 'leaky-relu']) {
  await page.evaluate(`window.sandbox.setState({ activation: '${act}', look: { colour: 'regions' } })`);
  const r = await page.evaluate(`window.sandbox.regions().then(r => JSON.stringify({ counted: r.counted, exact: r.exact }), e => 'rejected: ' + e.message)`);
  console.log('2d', act, r);
  await new Promise((res) => setTimeout(res, 1500));
  await page.screenshot({ path: `/tmp/wt-act-shots/2d-${act}-${mode}.png` });
}
console.log('errors:', errors.join('\n'));
await browser.close();
await server.close();
