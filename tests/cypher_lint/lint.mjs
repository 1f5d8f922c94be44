// Lint Cypher statements with Neo4j's own front end (parser + semantic analysis).
// argv[2]: catalogue.json (Neo4j 5's functions and procedures, dumped from a real server by
//          catalogue.py), so that an unknown function or procedure is an error, as on Neo4j.
// stdin:  JSON [{"name": "...", "text": "..."}]
// stdout: JSON [{"name": "...", "diagnostics": [{"severity", "message", "offsets"}]}]
// Severity follows the LSP: 1 = error, 2 = warning, 3 = information, 4 = hint.
import { readFileSync } from 'node:fs';
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const catalogue = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byName = (items) => Object.fromEntries(items.map((item) => [item.name, item]));
const dbSchema = {
  functions: { 'CYPHER 5': byName(catalogue.functions) },
  procedures: { 'CYPHER 5': byName(catalogue.procedures) },
  defaultLanguage: 'CYPHER 5',
};

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const statements = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const results = statements.map(({ name, text }) => {
  const { diagnostics } = lintCypherQuery(text, dbSchema);
  return {
    name,
    diagnostics: diagnostics.map(({ severity, message, offsets }) => ({ severity, message, offsets })),
  };
});
process.stdout.write(JSON.stringify(results));
