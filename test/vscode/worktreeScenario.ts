// What the worktree test's person adds to the task's worktree before committing it (see
// ./worktree.vscode.test.ts): a second file, so Show Changes has more than one to show.

export const sighting = {
  file: "wren-sightings.md",
  text: "# Sightings\n\n- 07:10 a wren by the fourth nest\n",
  message: "Count the fourth wren nest, with the sighting",
};
