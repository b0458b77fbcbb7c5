// The BlazingText algorithm as a SageMaker algorithm container runs it: reads the trial directory given as the first
// argument (laid out as /opt/ml), trains with the engine, writes the artifacts into model/, prints one JSON event a
// line (blazingtext-events.ts) and, on error, writes the reason into output/failure and exits with the error's exit
// code (2: the job's hyperparameters or data are at fault; 3: another host of the job was lost; 1: anything else).
// SIGTERM stops training. On several hosts (resourceconfig.json), it is one host of a distributed batch_skipgram.
import { runBlazingTextAlgorithm } from './blazingtext-algorithm.js';

await runBlazingTextAlgorithm(process.argv[2] ?? process.cwd());
