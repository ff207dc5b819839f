/**
 * Entry point of the console UI: a header with the views and a hash router (`#/orders/42`), so any URL
 * the server hands out is the one page and reloads keep the view.
 */
import { type JSX, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { DeadLetters } from './dead-letters';
import { OrderPage, Orders } from './orders';
import { Logs, Mappings, Overview, Schedules, Topics } from './views';

const VIEWS: [string, string][] = [
  ['/', 'Overview'],
  ['/orders', 'Orders'],
  ['/dead-letters', 'Dead letters'],
  ['/logs', 'Logs'],
  ['/schedules', 'Schedules'],
  ['/topics', 'Topics'],
  ['/mappings', 'Mappings'],
];

function currentPath(): string {
  return decodeURIComponent(location.hash.replace(/^#/, '')) || '/';
}

function App() {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const on = () => setPath(currentPath());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const parts = path.split('/').filter(Boolean);
  let view: JSX.Element;
  if (parts[0] === 'orders' && parts[1]) view = <OrderPage id={parts[1]} key={parts[1]} />;
  else if (parts[0] === 'orders') view = <Orders />;
  else if (parts[0] === 'dead-letters') view = <DeadLetters />;
  else if (parts[0] === 'logs') view = <Logs />;
  else if (parts[0] === 'schedules') view = <Schedules />;
  else if (parts[0] === 'topics') view = <Topics name={parts[1]} />;
  else if (parts[0] === 'mappings') view = <Mappings />;
  else view = <Overview />;
  return (
    <div>
      <header>
        <b>CampusG console</b>
        {VIEWS.map(([p, name]) => (
          <a href={`#${p}`} class={(p === '/' ? path === '/' : path.startsWith(p)) ? 'active' : ''}>
            {name}
          </a>
        ))}
      </header>
      <main>{view}</main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
