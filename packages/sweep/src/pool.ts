import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SataError } from '@sata/core';
import { distModuleUrl, type RunnerSpec } from './runners.js';
import type { BaseConfig } from './derive.js';

/** What the main thread sends a worker: run `exportName` of `module` on `config`. */
export interface TaskMessage {
  readonly id: number;
  readonly module: string;
  readonly exportName: string;
  readonly config: BaseConfig;
}

export type ReplyMessage =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { message: string; stack?: string | undefined; exitCode?: number | undefined } };

/** A point failed; carries the runner's exit code when it threw a SataError (2: bad configuration). */
export class PointError extends SataError {}

export interface PoolTask {
  /** The point's index in the sweep (for messages). */
  readonly index: number;
  readonly label: string;
  readonly config: BaseConfig;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Runs every task on a pool of `jobs` worker threads (never more than tasks), each worker
 * taking the next task when it finishes one. Results come back in the order of `tasks`,
 * whatever order the workers finish in. The first failure stops the pool and rejects.
 * `jobs: 0` runs the tasks one after another in this thread (no build needed for tests).
 */
export async function runTasks(tasks: readonly PoolTask[], runner: RunnerSpec, jobs: number, onDone?: (done: number) => void): Promise<unknown[]> {
  const results: unknown[] = new Array(tasks.length);
  if (tasks.length === 0) return results;
  const fail = (task: PoolTask, message: string, exitCode?: number): PointError =>
    new PointError(`point ${task.index} (${task.label}) failed: ${message}`, exitCode ?? 1);
  if (jobs === 0) {
    const fn = runner.load ? await runner.load() : ((await import(runner.module)) as Record<string, unknown>)[runner.exportName];
    if (typeof fn !== 'function') throw new SataError(`runner ${runner.name}: module ${runner.module} has no exported function "${runner.exportName}"`, 1);
    for (let i = 0; i < tasks.length; i++) {
      try {
        results[i] = structuredClone(await fn(tasks[i]!.config));
      } catch (e) {
        throw fail(tasks[i]!, e instanceof Error ? e.message : String(e), e instanceof SataError ? e.exitCode : undefined);
      }
      onDone?.(i + 1);
    }
    return results;
  }
  const size = Math.min(jobs, tasks.length);
  const workerUrl = distModuleUrl('worker.js');
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  let settled = false;
  return new Promise<unknown[]>((resolvePromise, reject) => {
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolvePromise(results);
    };
    const feed = (w: Worker): void => {
      if (next >= tasks.length) return;
      const id = next++;
      const msg: TaskMessage = { id, module: runner.module, exportName: runner.exportName, config: tasks[id]!.config };
      w.postMessage(msg);
    };
    for (let k = 0; k < size; k++) {
      let w: Worker;
      try {
        w = new Worker(workerUrl);
      } catch (e) {
        finish(new SataError(`cannot start a sweep worker from ${workerUrl.pathname} (build with npx tsc -b packages/sweep): ${e instanceof Error ? e.message : String(e)}`, 1));
        return;
      }
      workers.push(w);
      w.on('message', (reply: ReplyMessage) => {
        if (settled) return;
        const task = tasks[reply.id]!;
        if (!reply.ok) return finish(fail(task, reply.error.message, reply.error.exitCode));
        results[reply.id] = reply.result;
        done++;
        onDone?.(done);
        if (done === tasks.length) finish();
        else feed(w);
      });
      w.on('error', (e) => finish(new SataError(`a sweep worker crashed: ${e.message}`, 1)));
      w.on('exit', (code) => {
        if (!settled) finish(new SataError(`a sweep worker exited with code ${code} before the sweep finished`, 1));
      });
      feed(w);
    }
  });
}
