if true {
  if false {
    discard;
  } else {
    if anyof (false, true) {
      redirect "deep@example.net";
    }
  }
}
