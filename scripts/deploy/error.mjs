// The one error the deploy scripts raise on purpose: the CLI prints its message alone (no stack trace), since it
// names what is wrong and what to do; anything else is a bug and keeps its trace.

/** A refusal or a problem the operator can fix, said in a sentence. */
export class DeployError extends Error {
  /**
   * @param {string} message what is wrong and what to do about it
   * @param {number} [exitCode] 2 for a refusal or bad input (the default), 1 for a failed deploy
   */
  constructor(message, exitCode = 2) {
    super(message);
    this.name = "DeployError";
    this.exitCode = exitCode;
  }
}
