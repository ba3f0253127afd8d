export { errors } from './catalogue.js';
export {
  type ExitCode,
  formatLocation,
  HeraldError,
  isHeraldError,
  type Location,
  type Problem,
} from './herald-error.js';
