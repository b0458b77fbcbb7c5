import type { Prediction } from './classifier.js';

/** A prediction as BlazingText's endpoint answers it. */
export interface EndpointAnswer {
  label: string[];
  prob: number[];
}

/** The endpoint's answer for one text; probabilities to fastText's 6 significant digits. */
export function endpointAnswer(prediction: Prediction): EndpointAnswer {
  return { label: prediction.labels, prob: prediction.probabilities.map((p) => Number(p.toPrecision(6))) };
}
