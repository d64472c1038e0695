// The Alloy extension: syntax highlighting comes from the grammar; everything
// else (diagnostics, hover, completion, navigation, formatting) from
// `alloy-ts lsp`, started over stdio with the command configured in
// `alloy.languageServer.path` (default: `alloy-ts` on the PATH).
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration('alloy');
  const command = config.get('languageServer.path') || 'alloy-ts';
  const args = [...(config.get('languageServer.args') || []), 'lsp'];
  return { command, args, transport: TransportKind.stdio };
}

function initializationOptions() {
  const config = vscode.workspace.getConfiguration('alloy');
  return { stabilityLevel: config.get('stabilityLevel'), target: config.get('validationTarget') };
}

async function activate(context) {
  client = new LanguageClient('alloy', 'Alloy (alloy-ts)', serverOptions(), {
    documentSelector: [{ scheme: 'file', language: 'alloy' }, { scheme: 'untitled', language: 'alloy' }],
    initializationOptions: initializationOptions(),
  });
  context.subscriptions.push(
    vscode.commands.registerCommand('alloy.restartLanguageServer', () => client.restart()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('alloy')) void vscode.commands.executeCommand('alloy.restartLanguageServer');
    }),
  );
  await client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
