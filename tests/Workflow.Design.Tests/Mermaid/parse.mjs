// Parses each Mermaid file with mermaid's own parser and prints, per file, the diagram type or the parse error as JSON.
// mermaid's sanitiser needs a DOM, which jsdom provides; parsing draws nothing, so no browser is needed.
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';

const { window } = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

const results = [];
for (const file of process.argv.slice(2)) {
  try {
    const { diagramType } = await mermaid.parse(readFileSync(file, 'utf8'));
    results.push({ file, diagramType, error: null });
  } catch (e) {
    results.push({ file, diagramType: null, error: String(e.message ?? e) });
  }
}
console.log(JSON.stringify(results));
