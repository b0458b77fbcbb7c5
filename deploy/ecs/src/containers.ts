import { aws_ecr as ecr, aws_ecs as ecs } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ImageSource } from './fleet-settings.js';

/** An ECR repository's tag (the task's execution role may pull it), or an image URI. */
export function containerImage(scope: Construct, id: string, source: ImageSource): ecs.ContainerImage {
  if ('uri' in source) return ecs.ContainerImage.fromRegistry(source.uri);
  return ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(scope, id, source.repository), source.tag);
}

/** Seconds ECS waits after SIGTERM before SIGKILL: a worker stops its trials (they checkpoint) and hands them back. */
export const STOP_TIMEOUT_SECONDS = 120;
