if true {
}
