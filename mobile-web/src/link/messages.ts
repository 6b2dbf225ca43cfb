// Failure codes turned into sentences for the phone. Where the app knows better words than
// the relay's or host's message, it uses them; otherwise the message is shown as sent.

import { ErrorCode, type Failure } from "#protocol";

export function describeHostFailure(failure: Failure, hostName: string): string {
  switch (failure.code) {
    case ErrorCode.HostOffline:
      return `${hostName} is offline. Files can be browsed when it's back.`;
    case ErrorCode.Timeout:
      return `${hostName} didn't answer in time. Check that it's awake and online, then retry.`;
    case ErrorCode.BadSeal:
      return `This phone couldn't decrypt ${hostName}'s answer. If this keeps happening, forget this computer in Settings and pair again.`;
    case ErrorCode.Forbidden:
      return `The relay no longer lets this phone reach ${hostName}. Pair again to restore access.`;
    case ErrorCode.NotFound:
      return failure.message || "This file or folder no longer exists.";
    case ErrorCode.SecretFile:
      return failure.message || "This file matches the secret-file rules and is never sent to phones.";
    case ErrorCode.OutsideWorkspace:
      return failure.message || "This path leads outside the workspace.";
    case ErrorCode.RateLimited:
      return "Too many requests right now. Wait a moment, then retry.";
    default:
      return failure.message || "Something went wrong.";
  }
}

export function describePairFailure(failure: Failure): string {
  switch (failure.code) {
    case ErrorCode.SlotExpired:
    case ErrorCode.SlotUsed:
      return "This pairing code has expired or was already used. Show a new QR code on your computer (it's valid for 5 minutes).";
    case ErrorCode.PairDeclined:
      return "Pairing was declined on the computer.";
    case ErrorCode.Timeout:
      return "The relay didn't answer in time. Check your connection and try again.";
    case ErrorCode.RateLimited:
      return "Too many pairing attempts. Wait a minute, then scan the QR code again.";
    case ErrorCode.BadSeal:
      return "The computer's answer could not be decrypted. Show a new QR code and try again.";
    default:
      return failure.message || "Pairing failed.";
  }
}
