import { mkdir, mkdtemp, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { writeModelArchive } from './model-archive.js';

const MODEL_ARCHIVE = 'model.tar.gz';

/**
 * A hidden folder inside the output directory where a job writes its artifacts; they are renamed
 * into the output directory only once all were written, so a failed or interrupted run never leaves
 * a half-written or mixed set behind. Files in the output directory that the job does not write are
 * never touched. Staging inside the output directory keeps the renames on one file system.
 */
export class ArtifactStaging {
  private constructor(
    readonly outputDir: string,
    /** The staging folder: write artifacts here. */
    readonly dir: string,
    /** The outermost directory this run created on the way to outputDir, if any. */
    private readonly createdRoot: string | undefined,
  ) {}

  /** Creates outputDir (and missing parents) and a fresh `.partial-<pid>-<random>` staging folder in it. */
  static async open(outputDir: string): Promise<ArtifactStaging> {
    const absolute = resolve(outputDir);
    const createdRoot = await mkdir(absolute, { recursive: true });
    try {
      const dir = await mkdtemp(join(absolute, `.partial-${process.pid}-`));
      return new ArtifactStaging(absolute, dir, createdRoot);
    } catch (error) {
      await removeCreatedDirectories(absolute, createdRoot);
      throw error;
    }
  }

  /** Path of an artifact inside the staging folder. */
  path(fileName: string): string {
    return join(this.dir, fileName);
  }

  /** Moves the named artifacts into outputDir (replacing earlier ones of the same name) and removes the staging folder. */
  async publish(fileNames: string[]): Promise<string[]> {
    for (const name of fileNames) await rename(this.path(name), join(this.outputDir, name));
    await rm(this.dir, { recursive: true, force: true });
    return fileNames;
  }

  /** Removes the staging folder and the directories this run created, if they are empty. */
  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await removeCreatedDirectories(this.outputDir, this.createdRoot);
  }
}

/**
 * A job's whole output, all or nothing: `stage` reads, trains and writes its artifacts into a fresh staging folder and
 * names them in `files`; model.tar.gz holding them is added and all are published together. On any error the staging
 * folder and the directories this run created are removed, and the error is rethrown.
 */
export async function publishModelArtifacts<Result extends { files: string[] }>(
  outputDir: string,
  stage: (staging: ArtifactStaging) => Promise<Result>,
  onLog: (message: string, fields?: Record<string, unknown>) => void = () => {},
): Promise<Result & { outputDir: string }> {
  const staging = await ArtifactStaging.open(outputDir);
  try {
    const result = await stage(staging);
    await writeModelArchive(staging.dir, result.files, staging.path(MODEL_ARCHIVE));
    const files = await staging.publish([...result.files, MODEL_ARCHIVE]);
    onLog('Artifacts written', { outputDir: staging.outputDir, files });
    return { ...result, files, outputDir: staging.outputDir };
  } catch (error) {
    await staging.discard();
    throw error;
  }
}

/** Removes `dir` and its parents up to `createdRoot` (what mkdir -p created), stopping at the first that is not empty. */
async function removeCreatedDirectories(dir: string, createdRoot: string | undefined): Promise<void> {
  if (createdRoot === undefined) return;
  for (let current = dir; ; current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    if (relative(createdRoot, current) === '') return;
  }
}
