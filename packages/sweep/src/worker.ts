/**
 * Worker-thread entry: imports runner modules on demand (cached) and runs one point per
 * message. Plain data in and out; the configuration is frozen again on arrival.
 */
import { parentPort } from 'node:worker_threads';
import { freezeConfig, isSataError } from '@sata/core';
import type { TaskMessage, ReplyMessage } from './pool.js';

const modules = new Map<string, Promise<Record<string, unknown>>>();

parentPort!.on('message', (msg: TaskMessage) => {
  void run(msg).then((reply) => parentPort!.postMessage(reply));
});

async function run(msg: TaskMessage): Promise<ReplyMessage> {
  try {
    let mod = modules.get(msg.module);
    if (!mod) modules.set(msg.module, (mod = import(msg.module) as Promise<Record<string, unknown>>));
    const fn = (await mod)[msg.exportName];
    if (typeof fn !== 'function') throw new Error(`runner module ${msg.module} has no exported function "${msg.exportName}"`);
    const result: unknown = await fn(freezeConfig(msg.config));
    // Clone here so that a result the structured clone cannot carry fails as this point's error.
    return { id: msg.id, ok: true, result: structuredClone(result) };
  } catch (e) {
    return {
      id: msg.id,
      ok: false,
      error: { message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined, exitCode: isSataError(e) ? e.exitCode : undefined },
    };
  }
}
