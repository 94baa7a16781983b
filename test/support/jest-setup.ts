// The AWS SDK warns once per process under Node 20 that its 2027 releases need Node 22: the README
// says so once, and the suite's output should show test results, not that notice. Child processes
// the tests spawn inherit it through process.env (those given an explicit env set it themselves).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
