// Lint Cypher statements with Neo4j's own front end (parser + semantic analysis).
// stdin:  JSON [{"name": "...", "text": "..."}]
// stdout: JSON [{"name": "...", "diagnostics": [{"severity", "message", "offsets"}]}]
// Severity follows the LSP: 1 = error, 2 = warning, 3 = information, 4 = hint.
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const statements = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const results = statements.map(({ name, text }) => {
  const { diagnostics } = lintCypherQuery(text, {});
  return {
    name,
    diagnostics: diagnostics.map(({ severity, message, offsets }) => ({ severity, message, offsets })),
  };
});
process.stdout.write(JSON.stringify(results));
