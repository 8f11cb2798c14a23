// Run names like MLflow's generator ('gifted-rat-29') for runs created without one.
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'gifted',
  'bold',
  'brave',
  'calm',
  'clever',
  'eager',
  'gentle',
  'honest',
  'kindly',
  'lucky',
  'merciful',
  'nimble',
  'polite',
  'silent',
  'sincere',
  'tasteful',
  'thoughtful',
  'unruly',
  'valuable',
  'wise',
];
const NOUNS = [
  'rat',
  'ant',
  'bat',
  'bee',
  'carp',
  'crow',
  'deer',
  'dove',
  'fox',
  'gnat',
  'hare',
  'hawk',
  'lark',
  'mole',
  'newt',
  'owl',
  'ram',
  'seal',
  'toad',
  'wolf',
];

export function randomRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`;
}
