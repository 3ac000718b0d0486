/**
 * The installed neural-codec package: the folder that holds its own `package.json`, found by walking up
 * from this module's file. The same rule holds in a clone (`src/` run by vitest or tsx, `dist/src/`
 * compiled) and in an installed copy (`node_modules/neural-codec/dist/src/`), so models, the native
 * addon and the bench fixtures are found wherever the command runs from.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'neural-codec';

interface PackageJson {
  name?: string;
  version?: string;
}

let found: { root: string; json: PackageJson } | undefined;

function readPackageJson(file: string): PackageJson | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

function locate(): { root: string; json: PackageJson } {
  if (found) return found;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const json = readPackageJson(path.join(dir, 'package.json'));
    if (json?.name === PACKAGE_NAME) return (found = { root: dir, json });
    if (path.dirname(dir) === dir) throw new Error(`Could not find the ${PACKAGE_NAME} package.json above ${start}`);
  }
}

/** The package root: the nearest folder above this module whose package.json is named "neural-codec". */
export function packageRoot(): string {
  return locate().root;
}

/** The package's version, from its package.json. */
export function packageVersion(): string {
  return locate().json.version ?? '0.0.0';
}
