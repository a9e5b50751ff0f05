// Reads each BPMN file with bpmn-moddle and prints, per file, its warnings and its number of user tasks as JSON.
import { BpmnModdle } from 'bpmn-moddle';
import { readFileSync } from 'node:fs';

const moddle = new BpmnModdle();
const results = [];
for (const file of process.argv.slice(2)) {
  const { rootElement, warnings } = await moddle.fromXML(readFileSync(file, 'utf8'), 'bpmn:Definitions');
  const processes = rootElement.rootElements.filter(e => e.$type === 'bpmn:Process');
  const tasks = processes.flatMap(p => p.flowElements ?? []).filter(e => e.$type === 'bpmn:UserTask').length;
  const diagrams = rootElement.diagrams?.length ?? 0;
  results.push({ file, warnings: warnings.map(w => w.message), tasks, diagrams });
}
console.log(JSON.stringify(results));
