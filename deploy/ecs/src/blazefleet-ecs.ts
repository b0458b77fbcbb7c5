import { App } from 'aws-cdk-lib';
import { BlazefleetStack } from './blazefleet-stack.js';
import { fleetSettings } from './fleet-settings.js';

// Run by `cdk synth` / `cdk deploy` (cdk.json), which pass CDK_OUTDIR and the context, or directly: `npm run synth`.
const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' });
new BlazefleetStack(app, 'Blazefleet', {
  description: 'Blazefleet: scheduler, cpu and gpu workers on ECS, Redis, artifact bucket',
  settings: fleetSettings((key) => app.node.tryGetContext(key)),
});
app.synth();
