import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** The least-privilege check, which judges the calls every other e2e file made: it runs last of them. */
export const LEAST_PRIVILEGE_TEST = "test/e2e/least-privilege.test.ts";
/** Which e2e files this run holds, and whether it filters tests by name: only a whole run judges unused grants. */
export const E2E_RUN_FILE = "test-artifacts/e2e-run.json";

/** Vitest's own order, with the least-privilege check moved after every other e2e file, and the run's e2e files noted. */
export class LeastPrivilegeLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const isCheck = (spec: TestSpecification) => relative(root, spec.moduleId) === LEAST_PRIVILEGE_TEST;
    const e2e = sorted.filter((spec) => spec.project.name === "e2e").map((spec) => relative(root, spec.moduleId));
    mkdirSync(dirname(E2E_RUN_FILE), { recursive: true });
    writeFileSync(E2E_RUN_FILE, JSON.stringify({ files: e2e, filtered: Boolean(this.ctx.config.testNamePattern) }));
    return [...sorted.filter((spec) => !isCheck(spec)), ...sorted.filter(isCheck)];
  }
}
