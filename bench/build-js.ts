// `--js`: compiles src/ and bench/ to plain JavaScript in a temporary directory (esbuild, one file
// at a time, no bundling, no keepNames), so the benches can compare Flow as `npm start` runs it
// (through tsx, whose transform wraps every named closure in a `__name()` call and whose loader
// runs in a thread of its own) with what a build step would ship.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transformSync } from 'esbuild';

const RUNNER = `#!/usr/bin/env node
// The compiled copy's bench runner: bin/bench.js NAME [options], no tsx.
const [name, ...options] = process.argv.slice(2);
const bench = await import(\`../bench/\${name}.js\`);
await bench.run(options);
process.exit(0);
`;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'results' ? [] : files(full);
    return [full];
  });
}

/** Builds the compiled copy of `repo` and answers its directory (removed by the caller). */
export function buildJs(repo: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-bench-js-'));
  for (const folder of ['src', 'bench']) {
    for (const file of files(path.join(repo, folder))) {
      const dest = path.join(out, path.relative(repo, file));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      if (!file.endsWith('.ts')) {
        fs.copyFileSync(file, dest);
        continue;
      }
      const { code } = transformSync(fs.readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'node20', sourcefile: file });
      fs.writeFileSync(dest.replace(/\.ts$/, '.js'), code);
    }
  }
  fs.mkdirSync(path.join(out, 'bin'));
  fs.writeFileSync(path.join(out, 'bin', 'flow.js'), "#!/usr/bin/env node\nawait import('../src/cli.js');\n");
  fs.writeFileSync(path.join(out, 'bin', 'bench.js'), RUNNER);
  fs.writeFileSync(path.join(out, 'package.json'), '{ "type": "module", "private": true }\n');
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  return out;
}
