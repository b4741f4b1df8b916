// Entry point of the operator dashboard (served by the coordinator under /ui).
import { render } from 'preact';
import { App } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
