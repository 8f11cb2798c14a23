// `--only` / `--skip`: comma lists of step ids ('artifact,register').
import { STEP_IDS, type StepId } from '../steps/types.js';
import { quoteSafely } from './key-guard.js';
import { closest } from './suggest.js';

/** The step ids in `raw`, in order without repeats, and one problem line per unknown id. */
export function parseStepList(raw: string, flag: string): { ids: StepId[]; problems: string[] } {
  const words = raw
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '');
  if (words.length === 0) return { ids: [], problems: [`${flag}: no step ids given (steps: ${STEP_IDS.join(', ')})`] };
  const ids: StepId[] = [];
  const problems: string[] = [];
  for (const word of words) {
    if (isStepId(word)) {
      if (!ids.includes(word)) ids.push(word);
      continue;
    }
    const guess = closest(word, STEP_IDS);
    const hint = guess ? `did you mean "${guess}"? ` : '';
    problems.push(`${flag}: unknown step ${quoteSafely(word)} (${hint}steps: ${STEP_IDS.join(', ')})`);
  }
  return { ids, problems };
}

function isStepId(word: string): word is StepId {
  return (STEP_IDS as readonly string[]).includes(word);
}
