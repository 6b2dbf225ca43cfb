// The approval and question cards with what they draw (diffs, the decision sheet), as one chunk:
// the Computers screen paints its waiting items as one-line summaries and swaps the cards in
// once this has loaded (screens/lazy.ts).

export { default as ApprovalCard } from "./ApprovalCard.svelte";
export { default as QuestionCard } from "./QuestionCard.svelte";
