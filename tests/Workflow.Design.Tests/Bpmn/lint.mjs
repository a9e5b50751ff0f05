// Lints each BPMN file with bpmnlint's recommended configuration and prints, per file, its errors and warnings as JSON.
import { BpmnModdle } from 'bpmn-moddle';
import bpmnlint from 'bpmnlint';
import NodeResolver from 'bpmnlint/lib/resolver/node-resolver.js';
import { readFileSync } from 'node:fs';

const moddle = new BpmnModdle();
const results = [];
for (const file of process.argv.slice(2)) {
  const { rootElement } = await moddle.fromXML(readFileSync(file, 'utf8'), 'bpmn:Definitions');
  // A linter per file: some rules keep what they saw between runs.
  const linter = new bpmnlint.Linter({ config: { extends: 'bpmnlint:recommended' }, resolver: new NodeResolver() });
  const reports = await linter.lint(rootElement);
  const problems = Object.entries(reports)
    .flatMap(([rule, items]) => items.map(i => ({ rule, id: i.id, message: i.message, category: i.category })));
  results.push({
    file,
    errors: problems.filter(p => p.category === 'error').map(p => `${p.id}: ${p.message} (${p.rule})`),
    warnings: problems.filter(p => p.category !== 'error').map(p => `${p.id}: ${p.message} (${p.rule})`),
  });
}
console.log(JSON.stringify(results));
