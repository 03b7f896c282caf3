export { greeter } from './greeter.js';
