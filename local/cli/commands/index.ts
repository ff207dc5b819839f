import type { Command } from 'commander';
import { register as registerBridge } from './bridge';
import { register as registerBroker } from './broker';
import { register as registerConsume } from './consume';
import { register as registerDemo } from './demo';
import { register as registerDoctor } from './doctor';
import { register as registerLogs } from './logs';
import { register as registerOrders } from './orders';
import { register as registerPreflight } from './preflight';
import { register as registerProduce } from './produce';
import { register as registerStart } from './start';
import { register as registerToken } from './token';
import { register as registerTopics } from './topics';
import { register as registerTrace } from './trace';

/**
 * Every `campusg` subcommand registers itself here: one file per command under this folder, each
 * exporting `register(program)`. Keep this list sorted.
 */
export function registerCommands(program: Command): void {
  registerBridge(program);
  registerBroker(program);
  registerConsume(program);
  registerDemo(program);
  registerDoctor(program);
  registerLogs(program);
  registerOrders(program);
  registerPreflight(program);
  registerProduce(program);
  registerStart(program);
  registerToken(program);
  registerTopics(program);
  registerTrace(program);
}
