import { BlazefleetError } from '@blazefleet/core';

/** A host of a distributed job that closed its connection, failed or did not answer in time. */
export class PeerLostError extends BlazefleetError {
  constructor(
    readonly rank: number,
    readonly address: string,
    readonly reason: string,
  ) {
    super(`lost host ${address} (rank ${rank}): ${reason}`);
  }
}
