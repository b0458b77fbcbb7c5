import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { writeModelArchive } from '@blazefleet/algorithms';
import type { ArtifactStore } from '@blazefleet/artifact-store';
import { filesBelow, type TrialDirectory } from './trial-directory.js';
import { TrialFailure } from './trial-failure.js';

export const MODEL_ARCHIVE = 'model.tar.gz';

/** `<outputPath>/<job name>/output`, where every attempt of a job writes the same keys. */
export function jobOutputUri(outputPath: string, jobName: string): string {
  return `${outputPath.replace(/\/+$/, '')}/${jobName}/output`;
}

/**
 * The model.tar.gz to upload, or undefined when there is none. BlazingText (`builtIn`) writes its own into model/; for
 * a command the files it left in model/ are archived, none at all only when it completed (as SageMaker uploads an
 * empty model of a completed job but none of a stopped one that wrote nothing).
 */
export async function modelArchive(dir: TrialDirectory, builtIn: boolean, completed: boolean): Promise<string | undefined> {
  if (builtIn) {
    const archive = join(dir.modelDir, MODEL_ARCHIVE);
    const found = await access(archive).then(
      () => true,
      () => false,
    );
    if (!found && completed) throw new TrialFailure(`AlgorithmError: the algorithm completed without writing model/${MODEL_ARCHIVE}`, false);
    return found ? archive : undefined;
  }
  const files = await filesBelow(dir.modelDir);
  if (files.length === 0 && !completed) return undefined;
  return archiveFiles(dir.modelDir, files, join(dir.runtimeDir, MODEL_ARCHIVE), 'model/');
}

/** output.tar.gz of what the trial wrote into output/data (SM_OUTPUT_DATA_DIR), or undefined when it wrote nothing. */
export async function outputDataArchive(dir: TrialDirectory): Promise<string | undefined> {
  const files = await filesBelow(dir.outputDataDir);
  if (files.length === 0) return undefined;
  return archiveFiles(dir.outputDataDir, files, join(dir.runtimeDir, 'output.tar.gz'), 'output/data/');
}

async function archiveFiles(sourceDir: string, files: string[], archive: string, shownAs: string): Promise<string> {
  try {
    await writeModelArchive(sourceDir, files, archive);
  } catch (error) {
    // A name the ustar format cannot hold (over 100 bytes) is the algorithm's doing.
    if (error instanceof RangeError) throw new TrialFailure(`AlgorithmError: cannot archive ${shownAs}: ${error.message}`, false);
    throw error;
  }
  return archive;
}

export interface TrialOutputs {
  model?: string;
  outputData?: string;
  metricsJson: string;
  trainLog: string;
}

/** Uploads the attempt's outputs to `<job output URI>/`: model.tar.gz, output.tar.gz, metrics.json and train.log. */
export async function uploadOutputs(store: ArtifactStore, outputUri: string, outputs: TrialOutputs): Promise<{ modelArtifacts?: string }> {
  let modelArtifacts: string | undefined;
  if (outputs.model !== undefined) {
    modelArtifacts = `${outputUri}/${MODEL_ARCHIVE}`;
    await store.upload(outputs.model, modelArtifacts);
  }
  if (outputs.outputData !== undefined) await store.upload(outputs.outputData, `${outputUri}/output.tar.gz`);
  await store.putObject(`${outputUri}/metrics.json`, outputs.metricsJson, 'application/json');
  await store.upload(outputs.trainLog, `${outputUri}/train.log`);
  return modelArtifacts === undefined ? {} : { modelArtifacts };
}
