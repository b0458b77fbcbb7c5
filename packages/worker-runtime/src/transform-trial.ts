// A batch transform as a SageMaker algorithm container runs one: reads the trial directory given as the first argument
// (laid out as /opt/ml), loads the model of the `model` channel, answers each line of each file of the `data` channel
// into output/data/<file>.out (batch-transform.ts), prints one JSON event a line (blazingtext-events.ts) and, on
// error, writes the reason into output/failure and exits with the error's exit code (2: the job's hyperparameters,
// model or data are at fault; 1: anything else).
import { join } from 'node:path';
import { loadAnsweringModel } from '@blazefleet/model-server';
import { modelSource, runBatchTransform } from './batch-transform.js';
import { channelPath, printEvent, readTrialJson, recordFailure } from './trial-script.js';

const root = process.argv[2] ?? process.cwd();

async function transform(): Promise<void> {
  const hyperparameters = (await readTrialJson(root, 'input/config/hyperparameters.json')) as Record<string, unknown>;
  const model = await loadAnsweringModel(await modelSource(channelPath(root, 'model')));
  printEvent({ event: 'log', message: 'model loaded', fields: { kind: model.kind } });
  await runBatchTransform({ model, hyperparameters, dataDir: channelPath(root, 'data'), outputDir: join(root, 'output', 'data'), onEvent: printEvent });
}

try {
  await transform();
} catch (error) {
  recordFailure(error, root);
}
