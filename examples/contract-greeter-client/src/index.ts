export { greetAll } from './greet.js';
