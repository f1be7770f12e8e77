import { WebAdapter } from 'botbuilder-adapter-web';
import { Botkit } from 'botkit';

/**
 * The benchmark's framework baseline: Botkit with botbuilder-adapter-web used the stock way, a bot
 * that replies with the message's own text. Botkit's web server listens on `PORT` (it reads it itself).
 */
function startBotkitEcho(): void {
  const controller = new Botkit({ adapter: new WebAdapter(), disable_console: true });
  controller.on('message', async function echo(bot, message) {
    await bot.reply(message, message.text ?? '');
  });
  controller.ready(() => process.stdout.write('listening\n'));
  process.once('SIGTERM', () => process.exit(0));
}

startBotkitEcho();
