// Checks a tuning job that ran on the compose stack while one of its workers was killed: it completed, every trial's
// training job completed exactly once (the interrupted one after a new attempt), and every model is in the S3 store.
//   node test/compose/check-tuning-job.mjs TUNING_JOB_NAME INTERRUPTED_TRAINING_JOB
// Reads REDIS_URL and the S3 settings (AWS_ENDPOINT_URL_S3 and credentials) from the environment.
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { TrainingJobsClient, TuningJobsClient } from '@blazefleet/sdk';

const [tuningJobName, interruptedJob] = process.argv.slice(2);
const problems = [];
const tuning = await TuningJobsClient.connect();
const training = await TrainingJobsClient.connect();
const s3 = new S3Client({ endpoint: process.env.AWS_ENDPOINT_URL_S3, forcePathStyle: true });
try {
  const job = await tuning.describe(tuningJobName);
  const trials = await tuning.analytics(tuningJobName);
  const expected = job.resourceLimits.maxNumberOfTrainingJobs;
  if (job.status !== 'Completed') problems.push(`tuning job ${job.status}, expected Completed`);
  if (trials.length !== expected) problems.push(`${trials.length} trials, expected ${expected}`);
  const jobsOfTuning = (await training.list()).filter((j) => j.name.startsWith(`${tuningJobName}-`));
  if (jobsOfTuning.length !== expected) problems.push(`${jobsOfTuning.length} training jobs, expected one per trial (${expected})`);
  for (const trial of trials) {
    const run = await training.describe(trial.trainingJobName);
    if (run.status !== 'Completed') problems.push(`${run.name}: ${run.status} (${run.failureReason ?? ''})`);
    const model = run.modelArtifacts?.s3ModelArtifacts;
    if (model === undefined) problems.push(`${run.name}: no model artifact`);
    else {
      const { hostname: Bucket, pathname } = new URL(model);
      await s3.send(new HeadObjectCommand({ Bucket, Key: pathname.slice(1) })).catch((error) => problems.push(`${model}: ${error.name}`));
    }
    if (run.name === interruptedJob && run.attempts < 2) problems.push(`${run.name} was interrupted but ran ${run.attempts} attempt(s)`);
  }
  console.log(`tuning job ${job.status}: ${trials.length} trials, best mean_rho ${job.bestTrainingJob?.finalObjectiveValue?.toFixed(4)}; ` +
    `interrupted ${interruptedJob}: ${(await training.describe(interruptedJob)).attempts} attempts`);
} finally {
  await tuning.close();
  await training.close();
  s3.destroy();
}
if (problems.length > 0) {
  console.error(`compose test FAILED:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
